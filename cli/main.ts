/** The plan-review process (bin/plan-review): runs the CLI on its arguments and exits with its code. */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runCli } from './run.js';

/** Resolves once the stream has passed on everything written to it before (or can take no more). */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) resolve();
    else stream.write('', () => resolve());
  });
}

/**
 * Ends the process once stdout and stderr have passed on all output. Exiting at once would drop
 * what a pipe has not taken yet (everything beyond the pipe's 64 KiB buffer); waiting for the
 * event loop to empty instead could wait forever on a handle a library left open.
 */
async function exitWhenWritten(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}

// Worker chatter at INFO (bundle details, state changes) hides what the CLI says.
Runtime.install({ logger: new DefaultLogger('WARN') });

void runCli(process.argv.slice(2)).then(exitWhenWritten);
