import { normaliseHttpEvent } from '../../gateway/ingest/normalise.ts';
console.log(JSON.stringify(normaliseHttpEvent({ hostname: 'r1.example.com.', message: 'x' } as any, { receivedAt: Date.now(), correlationId: 'c' } as any)).slice(0, 300));
