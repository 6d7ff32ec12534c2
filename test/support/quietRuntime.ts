// Temporal's worker logs every state change at INFO and every retried activity at WARN (tests retry on purpose); tests keep errors only.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: 'ERROR' } } as never });
} catch {
  // Already installed in this process (vitest reuses forks between files).
}
