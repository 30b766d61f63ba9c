/**
 * HAProxy's configuration on a Bamboo host, as two renderings of one layout: the Go template
 * Bamboo fills with Marathon's apps and its own host rules, and the config HAProxy starts with
 * before Bamboo's first write (the same frontend, no apps).
 *
 * The template reads Bamboo's template data (`.Apps`, `.Services`) and its helpers `hasKey` and
 * `getService`: App{Id, EscapedId, HealthCheckPath, ServicePort, Tasks[]{Host, Port}} and
 * Service{Id, Acl}.
 */
import { Template } from "../spec";
import { OPERATOR_PASSWORD, OPERATOR_USER } from "./credentials";

/** Where HAProxy listens on its host. */
export interface HaproxyLayout {
    /** The host address every frontend binds. */
    readonly address: string;
    readonly httpPort: number;
}

export const HAPROXY_STATS_PATH = "/haproxy/stats";

function head(l: HaproxyLayout): string[] {
    return [
        "# Managed by mesos-cluster: rendered by Bamboo from Marathon's apps. Local edits are lost.",
        "global",
        // To the container's output: the unit's journal (systemd) or `docker logs`.
        "    log stdout format raw local0 info",
        "",
        "defaults",
        "    log global",
        "    mode http",
        "    option httplog",
        "    option dontlognull",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout tunnel 1h",
        "",
        "frontend http-in",
        `    bind ${l.address}:${l.httpPort}`,
        "    stats enable",
        `    stats uri ${HAPROXY_STATS_PATH}`,
    ];
}

/** HAProxy's config before Bamboo has written one: the HTTP frontend and its stats page. */
export function renderHaproxyInitial(l: HaproxyLayout): string {
    return [...head(l), ""].join("\n");
}

/**
 * Bamboo's HAProxy template. HTTP: an app with a host rule set in Bamboo (its `Acl`, e.g.
 * `hdr(host) -i web.example.com`) is routed from the HTTP frontend. TCP: an app with a service
 * port gets a listener on it. Only apps with running tasks appear, so no rule ever names a
 * backend without servers.
 */
export function renderHaproxyTemplate(l: HaproxyLayout): string {
    return [
        ...head(l),
        "{{- range $app := .Apps }}{{ if $app.Tasks }}{{ if hasKey $.Services $app.Id }}{{ $service := getService $.Services $app.Id }}{{ if $service.Acl }}",
        "    acl {{ $app.EscapedId }}-rule {{ $service.Acl }}",
        "    use_backend {{ $app.EscapedId }}-http if {{ $app.EscapedId }}-rule",
        "{{- end }}{{ end }}{{ end }}{{ end }}",
        "{{ range $app := .Apps }}{{ if $app.Tasks }}",
        "backend {{ $app.EscapedId }}-http",
        "    balance leastconn",
        "    option forwardfor",
        "    {{- if $app.HealthCheckPath }}",
        "    option httpchk GET {{ $app.HealthCheckPath }}",
        "    {{- end }}",
        "    {{- range $task := $app.Tasks }}",
        "    server {{ $task.Host }}-{{ $task.Port }} {{ $task.Host }}:{{ $task.Port }}{{ if $app.HealthCheckPath }} check inter 10s{{ end }}",
        "    {{- end }}",
        "{{ if $app.ServicePort }}",
        "listen {{ $app.EscapedId }}-{{ $app.ServicePort }}",
        `    bind ${l.address}:{{ $app.ServicePort }}`,
        "    mode tcp",
        "    option tcplog",
        "    balance roundrobin",
        "    {{- range $task := $app.Tasks }}",
        "    server {{ $task.Host }}-{{ $task.Port }} {{ $task.Host }}:{{ $task.Port }} check",
        "    {{- end }}",
        "{{ end }}{{ end }}{{ end }}",
    ].join("\n");
}

/** Where HAProxy's front for Bamboo listens, and where Bamboo itself does. */
export interface BambooFrontLayout {
    /** The host address the front binds, on Bamboo's port. */
    readonly address: string;
    readonly port: number;
    /** Bamboo's own port on 127.0.0.1. */
    readonly localPort: number;
}

/**
 * HAProxy's front for Bamboo's API and UI, which have no authentication of their own
 * (QubitProducts/bamboo main/bamboo/bamboo.go at v0.2.21, l.98-114: plain martini routes):
 * every request needs the operator's login and goes on to Bamboo on 127.0.0.1. A config file
 * of its own, given to HAProxy with a second `-f`, so that the password is in neither the
 * template nor the config Bamboo renders; it sets its own defaults and names nothing of the
 * other file, so each loads with or without the other.
 */
export function renderBambooFront(f: BambooFrontLayout): Template {
    return {
        parts: [
            [
                "# Managed by mesos-cluster: the operator's login in front of Bamboo's API and UI. Local edits are lost.",
                "defaults",
                "    log global",
                "    mode http",
                "    option httplog",
                "    timeout connect 5s",
                "    timeout client 60s",
                "    timeout server 60s",
                "",
                "userlist mesos-cluster-operators",
                `    user ${OPERATOR_USER} insecure-password `,
            ].join("\n"),
            { secret: OPERATOR_PASSWORD },
            [
                "",
                "",
                "frontend mesos-cluster-bamboo-login",
                `    bind ${f.address}:${f.port}`,
                '    http-request auth realm "Bamboo" unless { http_auth(mesos-cluster-operators) }',
                // Bamboo never sees the password.
                "    http-request del-header Authorization",
                "    default_backend mesos-cluster-bamboo",
                "",
                "backend mesos-cluster-bamboo",
                `    server bamboo 127.0.0.1:${f.localPort}`,
                "",
            ].join("\n"),
        ],
    };
}
