// Container health check for MUTT images: GET a health URL, exit 0 on a 2xx answer, 1 otherwise.
// node:20-slim has no curl or wget, and a health check must never probe the wrong port (MUTT v2.5's Dockerfile
// and manifests probed /health on the metrics ports), so it derives the URL from the same MUTT_HTTP_PORT the
// process listens on.
//   node deploy/docker/healthcheck.mjs                      -> http://127.0.0.1:$MUTT_HTTP_PORT/healthz
//   node deploy/docker/healthcheck.mjs /readyz              -> the same port, another path
//   node deploy/docker/healthcheck.mjs http://127.0.0.1:18083/health   (the fake Moogsoft)

const arg = process.argv[2] ?? '/healthz';
const port = process.env.MUTT_HTTP_PORT || '8080';
const url = /^https?:\/\//.test(arg) ? arg : `http://127.0.0.1:${port}${arg.startsWith('/') ? arg : `/${arg}`}`;

fetch(url, { signal: AbortSignal.timeout(Number(process.env.MUTT_HEALTHCHECK_TIMEOUT_MS) || 2500) })
  .then(async (res) => {
    await res.body?.cancel();
    if (!res.ok) console.error(`${url}: HTTP ${res.status}`);
    process.exit(res.ok ? 0 : 1);
  })
  .catch((err) => {
    console.error(`${url}: ${err.cause?.code ?? err.name}: ${err.message}`);
    process.exit(1);
  });
