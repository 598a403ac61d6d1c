// Builds valid Alert messages for forwarder tests (parsed by the real schema, so a drift fails loudly).
//   const a = makeAlert({ severity: 2, host: 'SW1.lab' })

import { Alert } from '../../protocol/messages.ts';

type AlertInput = Omit<Partial<Alert>, 'event'> & { event?: Partial<Alert['event']> };

export function makeAlert(over: AlertInput = {}): Alert {
  const eventTime = over.eventTime ?? 1_700_000_000_123;
  const host = over.host ?? 'sw1.lab.example.com';
  const event = {
    kind: 'syslog',
    id: 'evt-1',
    correlationId: 'corr-1',
    host,
    message: '%BGP-5-ADJCHANGE: neighbor 10.0.0.1 Down',
    severity: over.severity === undefined ? 3 : over.severity,
    time: eventTime,
    receivedAt: eventTime + 5,
    source: { input: 'syslog-udp', address: '10.9.9.9' },
    parse: 'cisco',
    facility: 'local7',
    ...over.event,
  };
  const { event: _e, ...rest } = over;
  return Alert.parse({
    kind: 'rule',
    id: 'alert-evt-1-bgp-down',
    eventId: 'evt-1',
    correlationId: 'corr-1',
    host,
    message: '%BGP-5-ADJCHANGE: neighbor 10.0.0.1 Down',
    severity: 3,
    eventTime,
    createdAt: eventTime + 10,
    decision: 'page_and_ticket',
    ruleId: 'bgp-down',
    environment: 'prod',
    team: 'NETO',
    fingerprint: '%BGP-5-ADJCHANGE: neighbor <ip> Down',
    event,
    ...rest,
  });
}
