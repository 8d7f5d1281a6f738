"use strict";
/** Queue ordering helpers of the BusScheduler. */
Object.defineProperty(exports, "__esModule", { value: true });
exports.interleaveByDevice = interleaveByDevice;
/** Interleave tasks with the same due time across devices (round robin), keeping due order otherwise. */
function interleaveByDevice(tasks) {
    const out = [];
    let i = 0;
    while (i < tasks.length) {
        let j = i;
        while (j < tasks.length && tasks[j].nextDue === tasks[i].nextDue)
            j++;
        const group = tasks.slice(i, j);
        const byDev = new Map();
        for (const t of group) {
            const l = byDev.get(t.device);
            if (l)
                l.push(t);
            else
                byDev.set(t.device, [t]);
        }
        const lists = [...byDev.values()];
        const longest = Math.max(...lists.map((l) => l.length));
        for (let k = 0; k < longest; k++)
            for (const l of lists)
                if (l[k])
                    out.push(l[k]);
        i = j;
    }
    return out;
}
//# sourceMappingURL=fairness.js.map