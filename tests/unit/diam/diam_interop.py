#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Interop of the jitsim Diameter node with a real freeDiameterd (Debian
# freediameterd 1.2.1) over loopback TCP, in both directions at once:
#   - jitsim accepting: freeDiameterd dials jitsim-r (ConnectPeer), CER/CEA,
#     freeDiameterd's DWR answered by jitsim, jitsim stops with DPR;
#   - jitsim initiating: jitsim-i dials freeDiameterd (accepted through
#     acl_wl), CER/CEA, jitsim's DWRs (Tw 3 s) answered; freeDiameterd is
#     then frozen (SIGSTOP) until jitsim's watchdog fails over (RFC 3539:
#     two Tw without an answer) and thawed, and jitsim must fail back on
#     the late DWA before the third Tw closes the connection; DPR on
#     shutdown.
# tshark captures the exchange; every Diameter message must decode without
# a malformed or error expert item, and the decoded AVPs are checked.
#
# Ports are picked free by the kernel; freeDiameterd needs a TLS certificate
# in its configuration even with No_TLS peers, so one is made here. Every
# process and the temporary directory are removed even on failure.
#
# usage: diam_interop.py --node BUILD/tests/unit/diam/diam_node

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

FD_ID = 'fd.relay.test'
J_RESP = 'jitsim-r.jitsim.test'
J_INIT = 'jitsim-i.jitsim.test'
S6A = '16777251'
V3GPP = '10415'

FD_CONF = '''Identity = "{fd_id}";
Realm = "relay.test";
Port = {fd_port};
SecPort = 0;
No_SCTP;
No_IPv6;
TcTimer = 3;
TwTimer = 6;
TLS_Cred = "{d}/fd.crt", "{d}/fd.key";
TLS_CA = "{d}/fd.crt";
LoadExtension = "/usr/lib/freeDiameter/acl_wl.fdx" : "{d}/acl_wl.conf";
ConnectPeer = "{j_resp}" {{ ConnectTo = "127.0.0.1"; Port = {j_port}; No_TLS; No_SCTP; }};
'''


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def fail(msg):
    print('FAIL: ' + msg, flush=True)
    raise SystemExit(1)


def stop(p, sig=signal.SIGTERM, wait=10):
    if p is None or p.poll() is not None:
        return
    p.send_signal(sig)
    try:
        p.wait(wait)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def wait_for(pred, secs, what):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    fail('timed out waiting for ' + what)


def decode(cap, ports):
    """Every Diameter PDU of the capture: (srcport, dstport, fields dict name -> [values])."""
    args = ['tshark', '-r', cap, '-T', 'pdml']
    for p in ports:
        args += ['-d', 'tcp.port==%d,diameter' % p]
    xml = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    out = []
    for pkt in ET.fromstring(xml).iter('packet'):
        tcp = next((p for p in pkt.iter('proto') if p.get('name') == 'tcp'), None)
        sport = int(next(f.get('show') for f in tcp.iter('field') if f.get('name') == 'tcp.srcport'))
        dport = int(next(f.get('show') for f in tcp.iter('field') if f.get('name') == 'tcp.dstport'))
        for d in pkt.iter('proto'):
            if d.get('name') != 'diameter':
                continue
            fields = {}
            for f in d.iter('field'):
                fields.setdefault(f.get('name'), []).append(f.get('show'))
            out.append((sport, dport, fields))
    return out


def bad_items(cap, ports):
    # Connection attempts before freeDiameterd listens are refused (TCP RST, a
    # warning of TCP's): only the frames that carry Diameter are judged.
    args = ['tshark', '-r', cap, '-Y', '_ws.malformed || (diameter && _ws.expert.severity >= "Warning")']
    for p in ports:
        args += ['-d', 'tcp.port==%d,diameter' % p]
    r = subprocess.run(args, check=True, capture_output=True, text=True)
    return [l for l in r.stdout.splitlines() if l.strip()]


def check_direction(pdus, name, jitsim_id, initiating):
    """The messages of one connection, each identified by its Origin-Host."""
    seen = {}
    for sport, dport, f in pdus:
        host = (f.get('diameter.Origin-Host') or ['?'])[0]
        if host not in (jitsim_id, FD_ID):
            fail('%s: message from unexpected Origin-Host %s' % (name, host))
        cmd = f['diameter.cmd.code'][0]
        req = f['diameter.flags.request'][0] in ('1', 'True')
        seen.setdefault((host, cmd, req), []).append(f)
    want = [(jitsim_id if initiating else FD_ID, '257', True),
            (FD_ID if initiating else jitsim_id, '257', False),
            (jitsim_id, '282', True), (FD_ID, '282', False)]
    if initiating:
        want += [(jitsim_id, '280', True), (FD_ID, '280', False)]
    else:
        want += [(FD_ID, '280', True), (jitsim_id, '280', False)]
    for w in want:
        if w not in seen:
            fail('%s: no %s %s from %s in the capture' % (name, w[1], 'request' if w[2] else 'answer', w[0]))
        for f in seen[w]:
            if not w[2] and f.get('diameter.Result-Code') != ['2001']:
                fail('%s: answer %s from %s has Result-Code %s' % (name, w[1], w[0], f.get('diameter.Result-Code')))
    # jitsim's CER or CEA as tshark decodes it (RFC 6733 5.3, TS 29.272 7.1).
    ce = seen[(jitsim_id, '257', initiating)][0]
    for field, value in (('diameter.Vendor-Id', V3GPP), ('diameter.Auth-Application-Id', S6A),
                         ('diameter.Supported-Vendor-Id', V3GPP), ('diameter.Host-IP-Address.IPv4', '127.0.0.1'),
                         ('diameter.Origin-Realm', 'jitsim.test'), ('diameter.Product-Name', 'jitsim')):
        if value not in ce.get(field, []):
            fail('%s: jitsim %s: %s is %s, want %s' % (name, 'CER' if initiating else 'CEA', field,
                                                       ce.get(field), value))
    if 'diameter.Origin-State-Id' not in ce:
        fail('%s: no Origin-State-Id in jitsim CE' % name)
    dpr = seen[(jitsim_id, '282', True)][0]
    if dpr.get('diameter.Disconnect-Cause') != ['0']:
        fail('%s: DPR Disconnect-Cause %s, want 0 (REBOOTING)' % (name, dpr.get('diameter.Disconnect-Cause')))
    n = sum(len(v) for v in seen.values())
    print('%s: %d messages decoded: %s' % (name, n, ', '.join(
        '%s %s%s x%d' % (h.split('.')[0], c, 'R' if r else 'A', len(v)) for (h, c, r), v in sorted(seen.items()))),
        flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--node', required=True)
    a = ap.parse_args()
    for prog in ('freeDiameterd', 'tshark', 'openssl'):
        if shutil.which(prog) is None:
            fail('%s not installed (scripts/deps.sh installs it)' % prog)
    d = tempfile.mkdtemp(prefix='jitsim-diam-interop.')
    procs = {}
    try:
        fd_port, j_port = free_ports(2)
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', d + '/fd.key',
                        '-out', d + '/fd.crt', '-days', '2', '-subj', '/CN=' + FD_ID],
                       check=True, capture_output=True)
        with open(d + '/fd.conf', 'w') as f:
            f.write(FD_CONF.format(fd_id=FD_ID, fd_port=fd_port, j_port=j_port, d=d, j_resp=J_RESP))
        with open(d + '/acl_wl.conf', 'w') as f:
            # An unconfigured incoming peer needs the whitelist; no TLS asked of it.
            f.write('ALLOW_OLD_TLS ALLOW_IPSEC %s\n' % J_INIT)
        cap = d + '/cap.pcapng'
        ts_err = open(d + '/tshark.err', 'w+')
        procs['tshark'] = subprocess.Popen(['tshark', '-i', 'lo', '-f', 'tcp port %d or tcp port %d' % (fd_port, j_port),
                                            '-w', cap], stdout=subprocess.DEVNULL, stderr=ts_err)
        wait_for(lambda: 'Capturing on' in open(d + '/tshark.err').read(), 30, 'tshark to capture')

        logs = {k: open('%s/%s.log' % (d, k), 'w+') for k in ('resp', 'init', 'fd')}
        # jitsim accepting: waits for freeDiameterd's DWR (Tw 6 +- 2 s), answers it, then DPR.
        procs['resp'] = subprocess.Popen([a.node, '--listen', '127.0.0.1:%d' % j_port, '--host', J_RESP,
                                          '--realm', 'jitsim.test', '--peer-host', FD_ID, '--dwr', '1',
                                          '--deadline-ms', '40000'], stdout=logs['resp'], stderr=subprocess.STDOUT)
        wait_for(lambda: 'STARTED' in open(d + '/resp.log').read(), 10, 'jitsim-r to listen')
        procs['fd'] = subprocess.Popen(['freeDiameterd', '-c', d + '/fd.conf'], stdout=logs['fd'],
                                       stderr=subprocess.STDOUT)
        # jitsim initiating: Tw 3 s, a failover and failback, two DWAs, then DPR.
        # It retries until freeDiameterd listens.
        procs['init'] = subprocess.Popen([a.node, '--connect', '127.0.0.1:%d' % fd_port, '--host', J_INIT,
                                          '--realm', 'jitsim.test', '--peer-host', FD_ID, '--tw-ms', '3000',
                                          '--dwa', '2', '--failback', '1', '--deadline-ms', '50000'],
                                         stdout=logs['init'], stderr=subprocess.STDOUT)
        wait_for(lambda: 'OPEN' in open(d + '/init.log').read(), 20, 'jitsim-i to open')
        procs['fd'].send_signal(signal.SIGSTOP)
        try:
            # The DWR goes unanswered at Tw; FAILOVER at 2 Tw; closing would come at 3 Tw.
            wait_for(lambda: 'FAILOVER' in open(d + '/init.log').read(), 20, 'jitsim-i to fail over')
        finally:
            procs['fd'].send_signal(signal.SIGCONT)
        rc = {k: procs[k].wait(60) for k in ('init', 'resp')}
        init_log = open(d + '/init.log').read()
        if 'FAILOVER\nFAILBACK\n' not in init_log or 'STOPPED' not in init_log:
            fail('jitsim-i did not fail back and stop cleanly after freeDiameterd was thawed')
        for k in ('init', 'resp'):
            print('--- jitsim %s (exit %d)\n%s' % (k, rc[k], open('%s/%s.log' % (d, k)).read().rstrip()), flush=True)
        stop(procs['fd'])
        fdlog = open(d + '/fd.log').read()
        print('--- freeDiameterd\n' + '\n'.join(l for l in fdlog.splitlines() if 'NOTI' in l or 'ERROR' in l),
              flush=True)
        if rc['init'] != 0 or rc['resp'] != 0:
            fail('a jitsim node did not complete CER/CEA, DWR/DWA and DPR/DPA')
        for who in (J_INIT, J_RESP):
            if "Peer '%s' sent a DPR" % who not in fdlog:
                fail('freeDiameterd did not log the DPR of ' + who)
        time.sleep(0.5)
        stop(procs['tshark'], signal.SIGINT)

        bad = bad_items(cap, [fd_port, j_port])
        if bad:
            fail('tshark reports malformed or error items:\n' + '\n'.join(bad))
        pdus = decode(cap, [fd_port, j_port])
        if not pdus:
            fail('no Diameter message in the capture')
        # The connection jitsim-i opened ends at freeDiameterd's port, the other at jitsim-r's.
        init_pdus = [p for p in pdus if fd_port in (p[0], p[1])]
        resp_pdus = [p for p in pdus if j_port in (p[0], p[1])]
        check_direction(init_pdus, 'jitsim initiating', J_INIT, True)
        check_direction(resp_pdus, 'jitsim accepting', J_RESP, False)
        print('tshark: %d Diameter messages, 0 malformed' % len(pdus))
        print('INTEROP OK')
    except BaseException:
        # Show what each process said before the cleanup removes it.
        for k in ('init', 'resp', 'fd'):
            if os.path.exists('%s/%s.log' % (d, k)):
                print('--- %s.log (tail)\n%s' % (k, ''.join(open('%s/%s.log' % (d, k)).readlines()[-30:])),
                      flush=True)
        raise
    finally:
        if procs.get('fd') is not None and procs['fd'].poll() is None:
            procs['fd'].send_signal(signal.SIGCONT)  # a frozen process would not see SIGTERM
        for k in ('init', 'resp', 'fd'):
            stop(procs.get(k))
        stop(procs.get('tshark'), signal.SIGINT)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    main()
