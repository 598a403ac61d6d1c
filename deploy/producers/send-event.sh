#!/usr/bin/env bash
# Publish one syslog event to MUTT_EVENTS over plain NATS, with bash alone (/dev/tcp; no nats CLI, no curl).
# It waits for JetStream's PubAck and prints it. ASCII host names only (the subject token is built here);
# for anything else use send_event.py, a NATS client library, or the HTTP API. See docs/PRODUCERS.md.
#   ./send-event.sh router1.example.com 'LINK-3-UPDOWN: Gi0/1 down' 3
#   NATS_URL=nats://127.0.0.1:4222 MUTT_EVENT_ID=r1-0001 ./send-event.sh r1 'dedupe me'
# Exit: 0 stored (or duplicate), 75 retry later (stream full, no JetStream, no server), 1 refused.
set -euo pipefail
export LC_ALL=C

host=${1:?usage: send-event.sh HOST MESSAGE [SEVERITY 0-7]}
message=${2:?usage: send-event.sh HOST MESSAGE [SEVERITY 0-7]}
severity=${3:-null}
[[ $severity == null || $severity =~ ^[0-7]$ ]] || { echo "severity must be 0-7" >&2; exit 1; }
[[ $host =~ ^[[:print:]]+$ ]] || { echo "host must be printable ASCII" >&2; exit 1; }
url=${NATS_URL:-nats://127.0.0.1:4222}
url=${url%%,*}; url=${url#nats://}; url=${url##*@}
server=${url%%:*}; port=${url##*:}; [[ $port == "$url" ]] && port=4222

# Subject token (protocol/subjects.ts): lower-case, '.' -> '_', [a-z0-9-] kept, other bytes -> %XX.
token=''
lower=${host,,}
for ((i = 0; i < ${#lower}; i++)); do
  c=${lower:i:1}
  case $c in
    [a-z0-9-]) token+=$c ;;
    .) token+=_ ;;
    *) printf -v hex '%%%02X' "'$c"; token+=$hex ;;
  esac
done

json_string() { # JSON-escapes $1: backslash, quote, and control characters
  local s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      '\') out+='\\' ;; '"') out+='\"' ;;
      $'\n') out+='\n' ;; $'\r') out+='\r' ;; $'\t') out+='\t' ;;
      [[:cntrl:]]) printf -v c '\\u%04x' "'$c"; out+=$c ;;
      *) out+=$c ;;
    esac
  done
  printf '"%s"' "$out"
}

id=${MUTT_EVENT_ID:-$(cat /proc/sys/kernel/random/uuid)}
corr=$(cat /proc/sys/kernel/random/uuid)
now=$(date +%s%3N)
body="{\"kind\":\"syslog\",\"id\":$(json_string "$id"),\"correlationId\":\"$corr\",\"host\":$(json_string "$host"),\"message\":$(json_string "$message"),\"severity\":$severity,\"time\":$now,\"receivedAt\":$now,\"source\":{\"input\":\"nats\"},\"parse\":\"json\"}"
subject="mutt.events.syslog.$token"
inbox="_INBOX.$(cat /proc/sys/kernel/random/uuid | tr -d -)"
hdr=$'NATS/1.0\r\nNats-Msg-Id: '"$id"$'\r\nMutt-Correlation-Id: '"$corr"$'\r\nMutt-Host: '"$host"$'\r\nContent-Type: application/json\r\n\r\n'

exec 3<>"/dev/tcp/$server/$port" || exit 75
IFS= read -r -t 5 info <&3 || { echo "no answer from $server:$port" >&2; exit 75; }
[[ $info == INFO* ]] || { echo "not a NATS server" >&2; exit 1; }
printf 'CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1,"name":"mutt-send-event-sh"}\r\nSUB %s 1\r\nHPUB %s %s %d %d\r\n%s%s\r\nPING\r\n' \
  "$inbox" "$subject" "$inbox" "${#hdr}" "$(( ${#hdr} + ${#body} ))" "$hdr" "$body" >&3

while IFS= read -r -t 5 line <&3; do
  line=${line%$'\r'}
  case $line in
    PING) printf 'PONG\r\n' >&3 ;;
    -ERR*) echo "$line" >&2; exit 1 ;;
    HMSG*) echo "no JetStream stream answers on $subject" >&2; exit 75 ;;
    MSG*)
      IFS= read -r -t 5 ack <&3
      ack=${ack%$'\r'}
      echo "{\"subject\":\"$subject\",\"id\":$(json_string "$id"),\"ack\":$ack}"
      [[ $ack == *'"error"'* ]] && { [[ $ack == *'"code":503'* ]] && exit 75; exit 1; }
      exit 0 ;;
  esac
done
echo "no PubAck within 5 s" >&2
exit 75
