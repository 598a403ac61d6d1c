#!/usr/bin/env node
// The `mutt` command. MUTT runs its TypeScript directly through tsx (no build step). The project's tsconfig.json
// is named explicitly: tsx otherwise looks for one in the working directory, and started anywhere else (a data
// directory, a systemd WorkingDirectory) the UI's JSX would compile without hono/jsx ("React is not defined").
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('./main.ts');
