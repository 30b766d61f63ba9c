import { evaluate, stackConfig } from "./harness";
test("scratch", async () => {
    const e = await evaluate(stackConfig("ha"), "ha");
    console.log(e.outputs, e.resources.length);
    for (const r of e.resources.slice(0, 6)) console.log(JSON.stringify(r).slice(0, 600));
});
