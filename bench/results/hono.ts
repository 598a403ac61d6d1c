import { Hono } from 'hono';
const sub = new Hono(); sub.post('/x', (c) => c.text('ok'));
const app = new Hono(); app.onError((e, c) => c.text('err', 500)); app.route('/', sub);
const syms = (h: any) => Object.getOwnPropertySymbols(h).length;
console.log('plain sub wrapped?', app.routes.map((r) => syms(r.handler)));
