// The soak's figures from its samples: RSS slope after warm-up, the bounded-map gauges read from /metrics text,
// first / last / max per process. Pure functions, no processes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { boundedMapGauges, gaugeFigures, rssFigures, slope, warmupSeconds } from '../../bench/soak-figures.ts';

const t = suite('soak figures');

t('RSS: first, after warm-up, last, max, and the slope in MB/h over the samples after warm-up only', () => {
  // 100 MB rising to 150 during a 30 s warm-up, then +1 MB per 10 s (360 MB/h).
  const samples = [0, 10, 20, 30, 40, 50, 60].map((t) => ({ t, rssMb: { a: t < 30 ? 100 + (t / 10) * 20 : 150 + (t - 30) / 10 } }));
  const r = rssFigures(samples, 'a', 30);
  assert.equal({ first: r.firstMb, warm: r.afterWarmupMb, last: r.lastMb, max: r.maxMb }, { first: 100, warm: 150, last: 153, max: 153 });
  assert.is(r.slopeMbPerHour, 360);
  assert.ok(Number.isNaN(rssFigures(samples, 'missing', 30).firstMb));
  assert.ok(Number.isNaN(slope([{ x: 1, y: 1 }])));
});

t('warm-up is a sixth of the soak, 30 s to 5 min', () => {
  assert.equal([warmupSeconds(120), warmupSeconds(600), warmupSeconds(1800), warmupSeconds(7200)], [30, 100, 300, 300]);
});

t('bounded-map gauges: read by name, the instance label dropped, others kept, other metrics ignored', () => {
  const text = [
    '# HELP mutt_forwarder_first_errors_tracked x',
    '# TYPE mutt_forwarder_first_errors_tracked gauge',
    'mutt_forwarder_first_errors_tracked{instance="forwarder-1"} 439',
    'mutt_forwarder_held_messages{instance="forwarder-1",pool="a"} 2',
    'mutt_alerter_held_messages 0',
    'mutt_forwarder_in_flight{instance="forwarder-1"} 7',
  ].join('\n');
  assert.equal(boundedMapGauges(text), {
    mutt_forwarder_first_errors_tracked: 439,
    'mutt_forwarder_held_messages{pool="a"}': 2,
    mutt_alerter_held_messages: 0,
  });
  const f = gaugeFigures([{ p: { g: 1 } }, { p: { g: 5 } }, { p: { g: 3 } }]);
  assert.equal(f, [{ process: 'p', gauge: 'g', first: 1, last: 3, max: 5 }]);
});

t.run();
