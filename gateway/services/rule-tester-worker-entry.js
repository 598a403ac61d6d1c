// Entry of the rule tester's worker thread (gateway/services/rule-tester-thread.ts). Loader hooks that
// bin/mutt.js (or `node --import tsx`) registered do not reach worker threads, so the worker registers tsx itself
// before it loads its TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./rule-tester-worker.ts');
