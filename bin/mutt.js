#!/usr/bin/env node
// The `mutt` command. MUTT runs its TypeScript directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
