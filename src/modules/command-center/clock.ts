// The clock of the command center. Every timestamp the module writes and every timer it computes
// reads this clock, so tests can move time forward instead of waiting for it.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

let current: Clock = systemClock;

export function clock(): Clock {
  return current;
}

/** Replace the clock (tests); returns a function that restores the previous one. */
export function setClock(c: Clock): () => void {
  const prev = current;
  current = c;
  return () => {
    current = prev;
  };
}

/** A clock that only moves when told to (tests). */
export function manualClock(start: Date): Clock & { advance(minutes: number): void; set(d: Date): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (minutes) => {
      t += minutes * 60_000;
    },
    set: (d) => {
      t = d.getTime();
    },
  };
}
