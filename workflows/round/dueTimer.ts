/**
 * One timer for the next due moment of a round (a reminder, a deadline, the end of a stage),
 * replaced only when that moment changes: re-arming on every wake-up would start (and bill) a new
 * timer each time a person acts.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

interface Armed {
  at: number;
  scope: CancellationScope;
  fired: Promise<void>;
}

export class DueTimer {
  private armed: Armed | null = null;
  private fireCount = 0;

  /** Resolves when the armed moment arrives; never, when nothing is armed. */
  get fired(): Promise<void> {
    return this.armed?.fired ?? new Promise<void>(() => undefined);
  }

  /** How many armed moments have arrived: a loop that saw this number can wait for it to change. */
  get fires(): number {
    return this.fireCount;
  }

  arm(at: number | null): void {
    if (this.armed && this.armed.at === at) return;
    this.armed?.scope.cancel();
    this.armed = null;
    if (at === null) return;
    const scope = new CancellationScope();
    const armed: Armed = {
      at,
      scope,
      fired: scope
        .run(() => sleep(Math.max(at - Date.now(), 1)))
        .then(
          () => {
            if (this.armed === armed) this.armed = null;
            this.fireCount++;
          },
          (err: unknown) => {
            if (!isCancellation(err)) throw err;
          },
        ),
    };
    this.armed = armed;
  }
}
