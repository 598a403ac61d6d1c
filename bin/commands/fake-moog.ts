// `mutt fake-moog`: a real HTTP stand-in for Moogsoft that records what it receives and can misbehave on demand.
import { fakeMoogMain, UsageError } from '../../bench/fake-moog.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from './command.ts';

export const fakeMoog: Command = {
  name: 'fake-moog',
  usage: `usage: mutt fake-moog [--port N] [--host H] [--api-key K] [--quiet]

Accepts POSTs on any path, checks the auth header when --api-key (or FAKE_MOOG_API_KEY) is set, and serves
GET /stats, GET /events?since=N&limit=M, POST /control {status, latencyMs, failureRatio, retryAfterSeconds,
reset, failNext}, POST /reset, GET /health. Prints one line per event it accepts (--quiet: only the
start line). See docs/FAKE_MOOG.md.`,
  async run(argv) {
    try {
      const moog = await fakeMoogMain(argv);
      await moog?.stopped;
    } catch (err) {
      if (err instanceof UsageError) throw new CliError(err.message);
      throw err;
    }
  },
};
