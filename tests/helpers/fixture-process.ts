// Runs the test actor in its own process (for SIGKILL and SIGTERM tests). NATS_URL etc. come from the environment.
//   spawn('node', ['--import', 'tsx', 'tests/helpers/fixture-process.ts'], { env })
import { loadEnv } from '../../protocol/env.ts';
import { startProcess } from '../../actors/runtime/process.ts';
import { testActor } from './test-actor.ts';

const env = loadEnv();
await startProcess({ env, name: 'fixture', actors: [testActor()], handleSignals: true });
