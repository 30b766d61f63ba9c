/**
 * The program's layers, lowest first: config/ → the model (spec.ts, service.ts, topology/types.ts)
 * → services/ (know Mesos) → topology/ (places them) → runtimes/ (know Docker or SSH, not Mesos)
 * → cluster.ts, settings.ts → index.ts; render/ sits on top for review. An import may only point
 * down. test/layers.test.ts runs these rules and fails on any violation or cycle.
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
            to: { path: ["^components/(runtimes|render)/", "^components/(cluster|settings)\\.ts$", "^components/topology/(?!types\\.ts$)", "node_modules/@pulumi/"] },
        },
        {
            name: "runtimes-know-no-mesos",
            severity: "error",
            comment: "A runtime turns specs into resources; it knows nothing of which service a spec is.",
            from: { path: "^components/runtimes/" },
            to: { path: ["^components/(services|config|render)/", "^components/topology/(?!types\\.ts$)", "^components/(cluster|settings|service)\\.ts$"] },
        },
        {
            name: "topology-below-runtimes-and-cluster",
            severity: "error",
            from: { path: "^components/topology/" },
            to: { path: ["^components/(runtimes|render)/", "^components/(cluster|settings)\\.ts$"] },
        },
        {
            name: "render-is-on-top",
            severity: "error",
            from: { path: "^components/", pathNot: "^components/render/" },
            to: { path: "^components/render/" },
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
