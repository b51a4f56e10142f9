/**
 * SIGINT (Ctrl-C) and SIGTERM (docker stop, cluster schedulers) stop a long command the
 * same way: the first asks it to stop after the current step (it then writes a final
 * checkpoint and closes its outputs), a second one exits at once. Afterwards the command
 * exits with 128 + the signal's number (130, 143), so scripts can tell "done" from "stopped".
 */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_CODES;

export interface SignalStop {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  readonly received: StopSignal | undefined;
  /**
   * When a signal was received: exits with 130/143 now (outputs are closed by then; a read
   * still pending on a pipe must not keep the process alive).
   */
  exitIfStopped(): void;
  /** Removes the handlers. */
  dispose(): void;
}

/** Installs the handlers; `onFirst` says what will happen (e.g. on stderr). */
export function stopOnSignals(onFirst: (signal: StopSignal) => void): SignalStop {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const handlers = (Object.keys(EXIT_CODES) as StopSignal[]).map((name) => {
    const handler = (): void => {
      if (received !== undefined) process.exit(EXIT_CODES[name]);
      received = name;
      onFirst(name);
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    exitIfStopped() {
      if (received !== undefined) process.exit(EXIT_CODES[received]);
    },
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
