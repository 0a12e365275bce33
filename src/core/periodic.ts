// A task that a server runs in the background every few seconds (the audit sealer, the event
// pruner): never two rounds at once, errors reported rather than thrown, the timer does not keep
// the process alive, and stop() waits for a round that is running.

export interface Periodic {
  stop(): Promise<void>;
}

export function startPeriodic(
  everyMs: number,
  task: () => Promise<unknown>,
  onError: (err: unknown) => void,
): Periodic {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = task()
      .catch(onError)
      .finally(() => (running = null));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
