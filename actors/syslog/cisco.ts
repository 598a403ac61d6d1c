// Cisco's message tag '%FACILITY-SEVERITY-MNEMONIC:' (IOS, IOS XE/XR, NX-OS, ASA, FTD), e.g.
// '%LINK-3-UPDOWN:', '%ASA-4-106023:', '%PKT_INFRA-LINK-3-UPDOWN :'. The digit is the syslog severity, which
// is all a PRI-less Cisco line says about severity.
//   matchCiscoTag('%LINK-3-UPDOWN: Interface Gi0/2') -> { facility: 'LINK', severity: 3, mnemonic: 'UPDOWN' }

// Facility segments start with a letter, so '-3-' can only be the severity: no ambiguity, no backtracking.
const TAG = /%([A-Z][A-Z0-9_]{0,31}(?:-[A-Z][A-Z0-9_]{0,31}){0,3})-([0-7])-([A-Z0-9_]{1,64}) ?:/y;

export interface CiscoTag {
  facility: string;
  severity: number;
  mnemonic: string;
}

export function matchCiscoTag(text: string, pos = 0): CiscoTag | null {
  TAG.lastIndex = pos;
  const m = TAG.exec(text);
  return m ? { facility: m[1], severity: Number(m[2]), mnemonic: m[3] } : null;
}
