// Temporal's worker logs every state change at INFO; tests keep warnings and errors only.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: 'WARN' } } as never });
} catch {
  // Already installed in this process (vitest reuses forks between files).
}
