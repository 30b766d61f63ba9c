/**
 * The program's layers, lowest first: config/ → topology/ (hosts and ports from the config; its
 * types.ts is also the model's) → the model (spec.ts, service.ts) → services/ (know Mesos) →
 * composition/ (every service's spec on every host, built and checked) → runtimes/ (know Docker
 * or SSH, not Mesos) → cluster.ts, settings.ts → index.ts; render/, drift/, backup/ and preflight/ sit on top, for review and day-2 checks. An
 * import may only point down. test/layers.test.ts runs these rules and fails on any violation
 * or cycle.
 */
const MODEL = "^components/(spec\\.ts|service\\.ts|topology/types\\.ts)$";
module.exports = {
    forbidden: [
        { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
        {
            name: "config-is-the-bottom",
            severity: "error",
            from: { path: "^components/config/" },
            to: { path: "^components/", pathNot: "^components/config/" },
        },
        {
            name: "the-model-reads-only-config",
            severity: "error",
            from: { path: MODEL },
            to: { path: "^components/", pathNot: ["^components/config/", MODEL] },
        },
        {
            name: "services-know-mesos-not-runtimes",
            severity: "error",
            comment: "A service module describes a service as data; it never reaches Docker, SSH, Pulumi or the layers above.",
            from: { path: "^components/services/" },
            to: { path: ["^components/(runtimes|render|composition)/", "^components/(cluster|settings)\\.ts$", "^components/topology/(?!types\\.ts$)", "node_modules/@pulumi/"] },
        },
        {
            name: "runtimes-know-no-mesos",
            severity: "error",
            comment: "A runtime turns specs into resources; it knows nothing of which service a spec is.",
            from: { path: "^components/runtimes/" },
            to: { path: ["^components/(services|config|render|composition)/", "^components/topology/(?!types\\.ts$)", "^components/(cluster|settings|service)\\.ts$"] },
        },
        {
            name: "topology-reads-only-config",
            severity: "error",
            comment: "The hosts and ports derived from the config are the floor the model and the services stand on; composing the services onto them is composition/'s.",
            from: { path: "^components/topology/" },
            to: { path: "^components/", pathNot: ["^components/config/", "^components/topology/"] },
        },
        {
            name: "composition-is-pure",
            severity: "error",
            comment: "Composition builds and checks specs as data, before any runtime or resource.",
            from: { path: "^components/composition/" },
            to: { path: ["^components/(runtimes|render)/", "^components/(cluster|settings|keptSecret)\\.ts$", "node_modules/@pulumi/"] },
        },
        {
            name: "render-is-on-top",
            severity: "error",
            comment: "Review and day-2 tools (render/, drift/, backup/, preflight/) read the layers below; nothing below reads them.",
            from: { path: "^components/", pathNot: "^components/(render|drift|backup|preflight)/" },
            to: { path: "^components/(render|drift|backup|preflight)/" },
        },
        {
            name: "components-never-import-the-program",
            severity: "error",
            from: { path: "^components/" },
            to: { path: "^(index\\.ts|scripts/|test/|bench/|policy/)" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
    },
};
