// The bench's Prometheus histogram quantile: parse /metrics text, difference two scrapes, interpolate as PromQL's
// histogram_quantile() does.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { diffHistogram, histogramCount, histogramQuantile, readHistogram, type Histogram } from '../../bench/histogram-quantile.ts';

const t = suite('bench histogram quantile');
const INF = Number.POSITIVE_INFINITY;

const scrape = (delivered: number[], retry: number[]) => {
  const les = ['0.005', '0.01', '0.025', '+Inf'];
  return [
    '# HELP mutt_forwarder_request_duration_seconds Moogsoft request time, by outcome',
    '# TYPE mutt_forwarder_request_duration_seconds histogram',
    ...les.map(
      (le, i) => `mutt_forwarder_request_duration_seconds_bucket{le="${le}",instance="forwarder-1",outcome="delivered"} ${delivered[i]}`,
    ),
    'mutt_forwarder_request_duration_seconds_sum{instance="forwarder-1",outcome="delivered"} 0.5',
    `mutt_forwarder_request_duration_seconds_count{instance="forwarder-1",outcome="delivered"} ${delivered[3]}`,
    ...les.map((le, i) => `mutt_forwarder_request_duration_seconds_bucket{le="${le}",instance="forwarder-1",outcome="retry"} ${retry[i]}`),
    'mutt_forwarder_request_duration_seconds_bucket_other{le="0.005"} 999',
    'mutt_forwarder_deliveries_total{instance="forwarder-1",outcome="delivered"} 100',
  ].join('\n');
};

t('readHistogram keeps the matching series, summed per le, in ascending order', () => {
  const text = scrape([10, 20, 30, 40], [1, 2, 3, 4]);
  assert.equal(readHistogram(text, 'mutt_forwarder_request_duration_seconds', { outcome: 'delivered' }), [
    { le: 0.005, count: 10 },
    { le: 0.01, count: 20 },
    { le: 0.025, count: 30 },
    { le: INF, count: 40 },
  ]);
  assert.equal(
    readHistogram(text, 'mutt_forwarder_request_duration_seconds').map((b) => b.count),
    [11, 22, 33, 44],
  );
  // Two processes' texts joined add up.
  assert.equal(
    readHistogram(text + '\n' + text, 'mutt_forwarder_request_duration_seconds', { outcome: 'retry' }).map((b) => b.count),
    [2, 4, 6, 8],
  );
  assert.equal(readHistogram(text, 'no_such_metric'), []);
});

t('diffHistogram leaves only the observations between two scrapes', () => {
  const before = readHistogram(scrape([10, 20, 30, 40], [0, 0, 0, 0]), 'mutt_forwarder_request_duration_seconds', { outcome: 'delivered' });
  const after = readHistogram(scrape([60, 120, 130, 140], [0, 0, 0, 0]), 'mutt_forwarder_request_duration_seconds', {
    outcome: 'delivered',
  });
  const d = diffHistogram(after, before);
  assert.equal(
    d.map((b) => b.count),
    [50, 100, 100, 100],
  );
  assert.is(histogramCount(d), 100);
  // No scrape before (the series did not exist yet): everything counts.
  assert.equal(
    diffHistogram(after, []).map((b) => b.count),
    [60, 120, 130, 140],
  );
});

t('histogramQuantile interpolates linearly within the bucket, from 0 in the first', () => {
  const h: Histogram = [
    { le: 0.005, count: 50 },
    { le: 0.01, count: 100 },
    { le: 0.025, count: 100 },
    { le: INF, count: 100 },
  ];
  assert.ok(Math.abs(histogramQuantile(0.5, h) - 0.005) < 1e-12, 'p50 at the first bound');
  assert.ok(Math.abs(histogramQuantile(0.25, h) - 0.0025) < 1e-12, 'half-way through the first bucket');
  assert.ok(Math.abs(histogramQuantile(0.99, h) - 0.0099) < 1e-12, 'p99: 49 of 50 into the second bucket');
  assert.ok(Math.abs(histogramQuantile(1, h) - 0.01) < 1e-12, 'max: top of the last non-empty bucket');
});

t('histogramQuantile skips empty buckets and answers the highest finite bound for +Inf', () => {
  const gap: Histogram = [
    { le: 0.005, count: 0 },
    { le: 0.01, count: 0 },
    { le: 0.025, count: 10 },
    { le: INF, count: 10 },
  ];
  assert.ok(Math.abs(histogramQuantile(0.5, gap) - 0.0175) < 1e-12, 'interpolated from 0.01, not from 0');
  const slow: Histogram = [
    { le: 0.005, count: 1 },
    { le: 30, count: 1 },
    { le: INF, count: 10 },
  ];
  assert.is(histogramQuantile(0.99, slow), 30);
});

t('histogramQuantile is NaN without observations or with q outside [0, 1]', () => {
  assert.ok(Number.isNaN(histogramQuantile(0.5, [])));
  assert.ok(
    Number.isNaN(
      histogramQuantile(0.5, [
        { le: 0.005, count: 0 },
        { le: INF, count: 0 },
      ]),
    ),
  );
  assert.ok(
    Number.isNaN(
      histogramQuantile(1.5, [
        { le: 0.005, count: 3 },
        { le: INF, count: 3 },
      ]),
    ),
  );
  assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: 0.005, count: 3 }])), 'no +Inf bucket: not a complete histogram');
});

t.run();
