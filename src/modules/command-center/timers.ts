// Timers against the category's targets, all measured from the moment the incident was reported:
// to the first dispatch, to a unit on scene, to resolved. A step done late, or not done while its
// target has passed ("now" from the injected clock), is a breach.

export interface Targets {
  dispatch_min: number;
  arrive_min: number;
  resolve_min: number;
}

export interface TimerInput {
  received_at: Date;
  dispatched_at: Date | null;
  /** The first unit on scene, and the time the last unit resolved (null while one is still working). */
  on_scene_at: Date | null;
  resolved_at: Date | null;
}

export type TimerKind = 'dispatch' | 'arrive' | 'resolve';

export interface Timer {
  kind: TimerKind;
  targetMin: number;
  /** Minutes from the report to the step, or to now while it is pending. */
  elapsedMin: number;
  done: boolean;
  breached: boolean;
  /** Minutes left before the target (negative once breached). */
  leftMin: number;
}

const minutes = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 60_000);

export function timersOf(i: TimerInput, t: Targets, now: Date): Timer[] {
  const one = (kind: TimerKind, at: Date | null, targetMin: number): Timer => {
    const elapsedMin = Math.round(minutes(i.received_at, at ?? now) * 10) / 10;
    return {
      kind,
      targetMin,
      elapsedMin,
      done: at !== null,
      breached: elapsedMin > targetMin,
      leftMin: Math.round((targetMin - elapsedMin) * 10) / 10,
    };
  };
  return [
    one('dispatch', i.dispatched_at, t.dispatch_min),
    one('arrive', i.on_scene_at, t.arrive_min),
    one('resolve', i.resolved_at, t.resolve_min),
  ];
}

/** The breached timers (pending or late). */
export function breachesOf(i: TimerInput, t: Targets, now: Date): Timer[] {
  return timersOf(i, t, now).filter((x) => x.breached);
}
