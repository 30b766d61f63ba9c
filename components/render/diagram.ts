import { Placement, Topology } from "../topology/types";

const BOX_W = 250;
const LINE_H = 18;
const GAP = 30;
const PER_ROW = 6;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function ports(p: Placement, service: string): string {
    return p.ports
        .filter((b) => b.service === service)
        .map((b) => (b.first === b.last ? `:${b.first}` : `:${b.first}-${b.last}`))
        .join(" ");
}

function hostBox(t: Topology, p: Placement, x: number, y: number): { svg: string; height: number } {
    const member = t.ensemble.find((m) => m.host.name === p.host.name);
    const lines = p.services.map((s) => `${s}${s === "zookeeper" && member ? ` (myid ${member.id})` : ""}  ${ports(p, s)}`);
    const height = LINE_H * (lines.length + 1) + 14;
    const fill = member ? "#e8f0fe" : "#e6f4ea";
    const text = lines
        .map((l, i) => `<text x="${x + 10}" y="${y + 24 + LINE_H * (i + 1)}" font-size="12">${esc(l)}</text>`)
        .join("");
    return {
        height,
        svg:
            `<rect x="${x}" y="${y}" width="${BOX_W}" height="${height}" rx="6" fill="${fill}" stroke="#5f6368"/>` +
            `<text x="${x + 10}" y="${y + 20}" font-size="14" font-weight="bold">${esc(p.host.name)}  ${esc(p.host.address)}</text>${text}`,
    };
}

/**
 * The derived topology as an SVG an operator can open: the masters (with the ZooKeeper
 * ensemble, its ids and the quorum) above, the agents below, then the hosts that run neither (Bamboo's
 * edge hosts, the registry's host), each titled by what it runs; every service with its ports.
 */
export function renderDiagram(t: Topology): string {
    const masterHosts = t.placements.filter((p) => t.masters.some((m) => m.name === p.host.name));
    const others = t.placements.filter((p) => !t.masters.some((m) => m.name === p.host.name));
    const agentOnly = others.filter((p) => t.agents.some((a) => a.name === p.host.name));
    const edges = others.filter((p) => !agentOnly.includes(p));
    const parts: string[] = [];
    let y = 20;
    parts.push(
        `<text x="20" y="${y + 10}" font-size="16" font-weight="bold">${esc(t.config.clusterName)}: ${t.masters.length} master(s), quorum ${t.quorum}, ${t.agents.length} agent(s)</text>`,
    );
    y += 30;
    parts.push(`<text x="20" y="${y + 10}" font-size="12">${esc(t.mesosZkUrl)}</text>`);
    y += 24;
    const rows = (hosts: Placement[], title: string) => {
        if (hosts.length === 0) {
            return;
        }
        parts.push(`<text x="20" y="${y + 12}" font-size="13" font-style="italic">${esc(title)}</text>`);
        y += 20;
        for (let i = 0; i < hosts.length; i += PER_ROW) {
            let rowHeight = 0;
            const row = hosts.slice(i, i + PER_ROW);
            row.forEach((p, j) => {
                const box = hostBox(t, p, 20 + j * (BOX_W + GAP), y);
                parts.push(box.svg);
                rowHeight = Math.max(rowHeight, box.height);
            });
            y += rowHeight + GAP;
        }
    };
    rows(masterHosts, `ZooKeeper ensemble and Mesos masters (${t.zkHosts})`);
    rows(agentOnly, "Agents");
    // Named by what they run: Bamboo's edge hosts, the registry's host, or both.
    const runs = [...new Set(edges.flatMap((p) => p.services))].join(", ");
    rows(edges, `Other hosts (${runs})`);
    const width = 40 + Math.min(PER_ROW, Math.max(masterHosts.length, agentOnly.length, edges.length, 1)) * (BOX_W + GAP);
    return (
        `<?xml version="1.0" encoding="UTF-8"?>\n` +
        `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(width, 700)}" height="${y + 10}" font-family="sans-serif">` +
        `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`
    );
}
