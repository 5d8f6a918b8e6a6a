// Main-thread tasks from a Chromium trace (browser.startTracing with the
// devtools.timeline categories): what the co-browse benchmark reports as
// the longest task and the busy time of a capture. The page marks the
// window with console.timeStamp(label), which appears in the trace as a
// TimeStamp event on the page's own renderer main thread; tasks are that
// thread's RunTask events, whatever started them (timers, socket messages,
// animation frames, the benchmark's own evaluate calls).

export const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline"];

/**
 * Tasks of the thread that stamped `startLabel`, from that stamp to
 * `endLabel` plus `tailMs` (work a capture leaves for after its keyframe:
 * freeing the model, the first delta). Returns {longestMs, longestCpuMs,
 * busyMs, busyCpuMs, overBudget, tasks}: busy is the time tasks ran
 * between the two stamps, overBudget counts tasks of 50 ms or more (wall
 * time) in the whole window and overBudgetCpu those of 50 ms CPU time. "Cpu" figures are the thread's own CPU time (the trace's
 * `tdur`): on a shared machine a task's wall time also holds the time the
 * thread waited for a core.
 */
export function mainThreadTasks(traceJson, startLabel, endLabel, tailMs) {
  const events = JSON.parse(traceJson).traceEvents ?? [];
  const stamp = (label) => events.find((e) => e.name === "TimeStamp" && e.args?.data?.message === label);
  const start = stamp(startLabel);
  const end = stamp(endLabel);
  if (!start || !end) {
    const seen = events.filter((e) => e.name === "TimeStamp").map((e) => e.args?.data?.message);
    throw new Error(`the trace lacks ${start ? endLabel : startLabel} (time stamps seen: ${seen.join(", ") || "none"})`);
  }
  const until = end.ts + tailMs * 1000;
  const tasks = events.filter(
    (e) => e.name === "RunTask" && e.ph === "X" && e.pid === start.pid && e.tid === start.tid && e.ts + e.dur > start.ts && e.ts < until,
  );
  if (!tasks.length) throw new Error(`no RunTask events on the page's main thread between ${startLabel} and ${endLabel}`);
  const clip = (t) => Math.max(0, Math.min(t.ts + t.dur, end.ts) - Math.max(t.ts, start.ts));
  const cpu = (t) => t.tdur ?? t.dur;
  return {
    longestMs: Math.max(...tasks.map((t) => t.dur)) / 1000,
    longestCpuMs: Math.max(...tasks.map(cpu)) / 1000,
    busyMs: tasks.reduce((s, t) => s + clip(t), 0) / 1000,
    // A task cut by the window counts for the same share of its CPU time.
    busyCpuMs: tasks.reduce((s, t) => s + (t.dur ? (clip(t) / t.dur) * cpu(t) : 0), 0) / 1000,
    overBudget: tasks.filter((t) => t.dur >= 50_000).length,
    overBudgetCpu: tasks.filter((t) => cpu(t) >= 50_000).length,
    tasks: tasks.length,
  };
}
