/** Progress arithmetic for the bootstrap bar: rate and time left from replicates done and time elapsed. */

export interface ProgressFigures {
  done: number;
  total: number;
  /** Replicates per second so far (0 before the first one). */
  rate: number;
  /** Estimated seconds left at the current rate (undefined before the first replicate). */
  secondsLeft: number | undefined;
}

export function progressFigures(done: number, total: number, elapsedMs: number): ProgressFigures {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const secondsLeft = rate > 0 ? (total - done) / rate : undefined;
  return { done, total, rate, secondsLeft };
}

/** "412 / 1000 replicates · 830 /s · 0.7 s left" */
export function progressText({ done, total, rate, secondsLeft }: ProgressFigures): string {
  const parts = [`${done} / ${total} replicates`];
  if (rate > 0) parts.push(`${rate >= 100 ? Math.round(rate) : rate.toPrecision(3)} /s`);
  if (secondsLeft !== undefined && done < total) parts.push(`${formatSeconds(secondsLeft)} left`);
  return parts.join(" · ");
}

export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/**
 * Watches the main thread while heavy work runs elsewhere: a timer that should fire every `periodMs`; the longest
 * gap between firings is how long the page was unresponsive. Shown on the page and checked by the e2e test.
 */
export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | undefined;
  private last = 0;
  longestGapMs = 0;

  constructor(private readonly periodMs = 50) {}

  start(): void {
    this.stop();
    this.longestGapMs = 0;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.longestGapMs = Math.max(this.longestGapMs, now - this.last);
      this.last = now;
    }, this.periodMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
