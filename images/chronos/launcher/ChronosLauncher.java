package mesoscluster;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts Chronos 3.0.2 in this JVM with two changes its options cannot make.
 *
 * Its SMTP password and ZooKeeper login are options only (--mail_password, --zk_auth:
 * SchedulerConfiguration.scala at v3.0.2), so on a command line every process on the host could
 * read them (/proc/PID/cmdline, ps). This reads them from their files and hands them to
 * Chronos's main method: they are arguments inside the JVM, on no command line.
 *
 * With a ZooKeeper login, Chronos logs in (ZookeeperModule.scala at v3.0.2: builder.authorization)
 * but sets no ACL provider, so Curator creates every node with its default ACL, which is the list
 * ZooDefs.Ids.OPEN_ACL_UNSAFE (Curator 2.11.0 DefaultACLProvider): anyone may change or delete
 * Chronos's jobs. That list is a mutable ArrayList in the ZooKeeper 3.4 client Chronos bundles;
 * before Chronos starts, this makes it read for anyone and everything for the creator's login
 * (ZooKeeper's "auth" id), what Marathon and Mesos give their own nodes.
 *
 * Reflection only: compiled with nothing but the JDK (javac --release 8), it runs on the
 * image's Java 8 with Chronos's jar on the class path.
 */
public final class ChronosLauncher {
    static final String CHRONOS_MAIN = "org.apache.mesos.chronos.scheduler.Main";

    private ChronosLauncher() {}

    public static void main(String[] args) throws Exception {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        String mail = secret(env("MAIL_PASSWORD_FILE", "/etc/chronos/mail-password"));
        if (mail != null) {
            all.add("--mail_password");
            all.add(mail);
        }
        String zkAuth = secret(env("ZK_AUTH_FILE", "/etc/chronos/zk-auth"));
        if (zkAuth != null) {
            all.add("--zk_auth");
            all.add(zkAuth);
            protectCreatedNodes();
            System.err.println("chronos-launcher: nodes Chronos creates in ZooKeeper: read for anyone, all for its login");
        }
        Method main = Class.forName(env("CHRONOS_MAIN", CHRONOS_MAIN)).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) all.toArray(new String[0]));
        } catch (InvocationTargetException e) {
            // Chronos's own error, not reflection's wrapper around it.
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    /** The file's content without its final line end; null when there is no such file. */
    private static String secret(String file) throws IOException {
        try {
            String s = new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.UTF_8);
            return s.replaceAll("\r?\n$", "");
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    static void protectCreatedNodes() throws Exception {
        Class<?> ids = Class.forName("org.apache.zookeeper.ZooDefs$Ids");
        Class<?> perms = Class.forName("org.apache.zookeeper.ZooDefs$Perms");
        Class<?> idClass = Class.forName("org.apache.zookeeper.data.Id");
        Class<?> aclClass = Class.forName("org.apache.zookeeper.data.ACL");
        Constructor<?> acl = aclClass.getConstructor(int.class, idClass);
        int read = perms.getField("READ").getInt(null);
        int all = perms.getField("ALL").getInt(null);
        List<Object> open = (List<Object>) ids.getField("OPEN_ACL_UNSAFE").get(null);
        open.clear();
        open.add(acl.newInstance(read, ids.getField("ANYONE_ID_UNSAFE").get(null)));
        open.add(acl.newInstance(all, ids.getField("AUTH_IDS").get(null)));
    }
}
