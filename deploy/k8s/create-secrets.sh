#!/bin/sh
# Creates the Secrets MUTT on Kubernetes needs, with random values, and never overwrites existing ones:
#   mutt-nats-users   one NATS password per role (admin, operator, gateway, alerter, forwarder, remediation,
#                     syslog, traps), in namespace "mutt" (the pods) AND namespace "nats" (nats-server reads
#                     them as MUTT_<ROLE>_PASS, see nats-values.yaml)
#   mutt-credentials  moog_api_key (from $MOOG_API_KEY) and mutt_api_keys (an ingest and an admin key, printed once)
#
#   MOOG_API_KEY=... deploy/k8s/create-secrets.sh [mutt-namespace] [nats-namespace]
# Rotate a NATS password: change it in both namespaces, `kubectl -n nats rollout restart statefulset/nats`,
# then restart the MUTT Deployments.
set -eu
ns=${1:-mutt}
nats_ns=${2:-nats}

rand() { openssl rand -hex 32; }
# nats-server parses an environment variable's value as a config value ("12e5..." would become a number): a
# NATS password starts with a letter and keeps to letters and digits.
natspass() { echo "p$(rand)"; }

exists() { kubectl -n "$1" get secret "$2" >/dev/null 2>&1; }

if exists "$ns" mutt-nats-users; then
  echo "keep   $ns/mutt-nats-users"
else
  args=""
  for role in admin operator gateway alerter forwarder remediation syslog traps; do
    args="$args --from-literal=$role=$(natspass)"
  done
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl create namespace "$nats_ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # shellcheck disable=SC2086 # word splitting of $args is intended; the values are hex.
  kubectl -n "$ns" create secret generic mutt-nats-users $args
  # The same values for nats-server.
  kubectl -n "$ns" get secret mutt-nats-users -o json \
    | sed -e "s/\"namespace\": \"$ns\"/\"namespace\": \"$nats_ns\"/" \
          -e '/"resourceVersion"/d' -e '/"uid"/d' -e '/"creationTimestamp"/d' \
    | kubectl apply -f -
fi

if exists "$ns" mutt-credentials; then
  echo "keep   $ns/mutt-credentials"
else
  ingest="rsyslog:ingest:$(rand)"
  admin="ops:admin:$(rand)"
  [ -n "${MOOG_API_KEY:-}" ] || echo "note: MOOG_API_KEY not set - storing a random placeholder; replace it before delivering to Moogsoft."
  kubectl -n "$ns" create secret generic mutt-credentials \
    --from-literal=moog_api_key="${MOOG_API_KEY:-$(rand)}" \
    --from-literal=mutt_api_keys="$(printf '%s\n%s' "$ingest" "$admin")"
  echo "API keys (name:scope:secret), shown once:"
  echo "  $ingest"
  echo "  $admin"
fi
