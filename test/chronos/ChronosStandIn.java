package standin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * A stand-in for Chronos 3.0.2's main method (org.apache.mesos.chronos.scheduler.Main), which
 * cannot be had here: what the launcher's tests need of it, and nothing else.
 *
 * It writes the arguments it was handed, one a line, to $STANDIN_ARGS_OUT. Given --zk_hosts and
 * --zk_auth, it connects to ZooKeeper as Chronos's ZookeeperModule does at v3.0.2 (the same builder
 * calls, real Curator 2.11.0 and ZooKeeper 3.4.6 client) and creates a job's node and its parents
 * the way Curator creates any: with the builder's ACL provider, which Chronos leaves at Curator's
 * default; under $STANDIN_ROOT when set, else /chronos. With $STANDIN_WAIT it then waits, so that a test can read its command line.
 */
public final class ChronosStandIn {
    private ChronosStandIn() {}

    public static void main(String[] args) throws Exception {
        Files.write(Paths.get(System.getenv("STANDIN_ARGS_OUT")), (String.join("\n", args) + "\n").getBytes(StandardCharsets.UTF_8));
        List<String> a = Arrays.asList(args);
        int hosts = a.indexOf("--zk_hosts");
        int auth = a.indexOf("--zk_auth");
        if (hosts >= 0 && auth >= 0) {
            CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectionTimeoutMs(10000)
                .canBeReadOnly(false)
                .connectString(a.get(hosts + 1))
                .retryPolicy(new ExponentialBackoffRetry(1000, 10));
            builder.authorization("digest", a.get(auth + 1).getBytes());
            CuratorFramework curator = builder.build();
            curator.start();
            curator.blockUntilConnected();
            String root = System.getenv("STANDIN_ROOT") == null ? "/chronos" : System.getenv("STANDIN_ROOT");
            curator.create().creatingParentsIfNeeded().forPath(root + "/state/jobs/standin-job", "{}".getBytes(StandardCharsets.UTF_8));
            curator.close();
        }
        if (System.getenv("STANDIN_WAIT") != null) {
            Thread.sleep(60_000);
        }
    }
}
