/** Queue ordering helpers of the BusScheduler. */

/** Interleave tasks with the same due time across devices (round robin), keeping due order otherwise. */
export function interleaveByDevice<T extends { nextDue: number; device: unknown }>(tasks: T[]): T[] {
  const out: T[] = [];
  let i = 0;
  while (i < tasks.length) {
    let j = i;
    while (j < tasks.length && tasks[j]!.nextDue === tasks[i]!.nextDue) j++;
    const group = tasks.slice(i, j);
    const byDev = new Map<unknown, T[]>();
    for (const t of group) {
      const l = byDev.get(t.device);
      if (l) l.push(t);
      else byDev.set(t.device, [t]);
    }
    const lists = [...byDev.values()];
    const longest = Math.max(...lists.map((l) => l.length));
    for (let k = 0; k < longest; k++) for (const l of lists) if (l[k]) out.push(l[k]!);
    i = j;
  }
  return out;
}
