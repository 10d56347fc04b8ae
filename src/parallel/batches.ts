/**
 * The replicates still to hand out, as contiguous batches [first, count].
 *
 * With a fixed batch size every batch has that size. Without one the sizes are guided (guided self-scheduling):
 * each batch is about 1/(2·workers) of what remains, at most `MAX_GUIDED` and at least `MIN_GUIDED`, so the run
 * starts with large batches (few messages while the workers are busy) and ends with small ones (the workers
 * finish within a few replicates of each other, however unequal their speeds: a worker still warming up its JIT,
 * a core shared with another program). A replicate's result depends only on its index, never on the batch it ran
 * in, so the cut changes nothing but the timing.
 *
 * A batch given back (its worker died) is handed out again, whole, before any new one.
 */

/** Largest guided batch: a progress report at least every 64 replicates, and what an abort can lose per worker. */
export const MAX_GUIDED = 64;
/** Smallest guided batch: below this the message round trip starts to cost more than the replicates. */
export const MIN_GUIDED = 4;

export class BatchQueue {
  private next: number;
  private readonly end: number;
  private readonly retry: [number, number][] = [];

  /**
   * @param first first replicate index, @param nsim replicates, @param workers workers sharing them (≥ 1),
   * @param batchSize a fixed size, or undefined for guided sizes
   */
  constructor(
    first: number,
    nsim: number,
    private readonly workers: number,
    private readonly batchSize?: number,
  ) {
    this.next = first;
    this.end = first + nsim;
  }

  /** Nothing left to hand out. */
  get empty(): boolean {
    return this.retry.length === 0 && this.next >= this.end;
  }

  /** Batches that would still be handed out (for counting workers worth starting). */
  get batchesLeft(): number {
    const size = this.batchSize ?? MIN_GUIDED;
    return this.retry.length + Math.ceil(Math.max(0, this.end - this.next) / size);
  }

  /** The next batch, or null when none is left. */
  take(): [number, number] | null {
    const again = this.retry.shift();
    if (again) return again;
    const remaining = this.end - this.next;
    if (remaining <= 0) return null;
    const size =
      this.batchSize ??
      Math.max(MIN_GUIDED, Math.min(MAX_GUIDED, Math.ceil(remaining / (2 * Math.max(1, this.workers)))));
    const batch: [number, number] = [this.next, Math.min(size, remaining)];
    this.next += batch[1];
    return batch;
  }

  /** Hand `batch` out again, before any other (its worker died, or the run stopped before running it). */
  giveBack(batch: [number, number]): void {
    this.retry.unshift(batch);
  }

  /** Every batch not handed out, removed from the queue (guided: cut as they would have been). */
  drain(): [number, number][] {
    const out: [number, number][] = [];
    for (let b = this.take(); b; b = this.take()) out.push(b);
    return out;
  }
}
