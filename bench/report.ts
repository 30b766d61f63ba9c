/** What the benchmark's parts share: medians and ranges, the sign test's verdict, the report in BENCHMARKS.md. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
export const median = (xs: readonly number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** `median (min–max)`, or the one value. */
export const spread = (xs: readonly number[], digits = 2) =>
    xs.length === 1 ? fmt(xs[0], digits) : `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;

/** P(X >= k) for X ~ Binomial(n, 1/2). */
function tail(n: number, k: number): number {
    let sum = 0;
    let c = 1;
    for (let i = 0; i <= n; i++) {
        if (i >= k) {
            sum += c;
        }
        c = (c * (n - i)) / (i + 1);
    }
    return sum / 2 ** n;
}

/**
 * met / missed when a one-sided sign test at 5% puts the paired ratios' median on that side of
 * the target: enough pairs fall there that, were the median on the other side, so many would
 * with probability under 5%; else inconclusive. Says how many pairs fell where.
 */
export function verdict(ratios: readonly number[], target: number): string {
    const n = ratios.length;
    const under = ratios.filter((r) => r <= target).length;
    let needed = n + 1;
    while (needed > 0 && tail(n, needed - 1) < 0.05) {
        needed -= 1;
    }
    const counted = `${under} of ${n} pairs within, ${needed} needed`;
    if (under >= needed) {
        return `met (${counted})`;
    }
    if (n - under >= needed) {
        return `missed (${counted})`;
    }
    return `inconclusive (${counted})`;
}

/**
 * Replaces what lies between `<!-- MARKER:start -->` and `<!-- MARKER:end -->` in BENCHMARKS.md
 * with `results`, headed by the machine they ran on.
 */
export function writeReport(results: string[], marker: string): void {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const file = path.join(ROOT, "BENCHMARKS.md");
    const text = fs.readFileSync(file, "utf8");
    const start = `<!-- ${marker}:start -->`;
    const end = `<!-- ${marker}:end -->`;
    const machine = `Run on ${os.cpus().length} × ${cpu}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, on ${new Date().toISOString().slice(0, 10)}.`;
    const body = `${start}\n${machine}\n\n${results.join("\n")}\n${end}`;
    if (!text.includes(start) || !text.includes(end)) {
        throw new Error(`no ${start} … ${end} in ${file}`);
    }
    fs.writeFileSync(file, text.replace(new RegExp(`${start}[\\s\\S]*${end}`), body));
    console.log(`\nbench: figures written to ${file}`);
}
