/**
 * ARP spoofing from inside a test's network namespace, with scapy (Debian's python3-scapy, which belongs
 * to /usr/bin/python3): the namespace end of a veth pair tells the host that the host's own address is
 * at the namespace's MAC.
 *
 * @example
 * const skip = await scapyUnavailable();
 * await forgeHostIpClaim(pair); // pair from createVethPair({ …, staticNeighbours: false })
 */
import { run, type VethPair } from "./netns.ts";

const PYTHON = "/usr/bin/python3";

/**
 * First a real exchange: a datagram to the host makes the namespace ARP for it, and the script waits
 * until the host's reply is in the namespace's ARP cache (so the host has claimed its address). Then
 * the forgery: three replies "<host ip> is-at <namespace MAC>", sent to the host's MAC.
 * Arguments: interface, its MAC, the host's MAC, the host's address, the reply's target address.
 */
const FORGER = `
import sys, time, socket, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, Ether, sendp
iface, mac, host_mac, host_ip, target_ip = sys.argv[1:6]
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (host_ip, 9))
deadline = time.time() + 5
def resolved():
    with open("/proc/net/arp") as f:
        return any(l.split()[0] == host_ip and l.split()[2] == "0x2" for l in f.readlines()[1:])
while not resolved():
    if time.time() > deadline:
        sys.exit("the host never answered ARP")
    time.sleep(0.05)
pkt = Ether(src=mac, dst=host_mac) / ARP(op=2, hwsrc=mac, psrc=host_ip, hwdst=host_mac, pdst=target_ip)
sendp(pkt, iface=iface, count=3, inter=0.2, verbose=False)
`;

/** Why scapy cannot be used here, or null when it can. */
export async function scapyUnavailable(): Promise<string | null> {
  const r = await run([PYTHON, "-c", "import scapy.all"], false).catch(() => null);
  return r?.code === 0 ? null : `${PYTHON} with scapy is missing: apt-get install python3-scapy`;
}

/**
 * Sends, from the namespace of `pair`, forged ARP replies claiming the host's address for the
 * namespace's MAC, after a real ARP exchange. The replies' target protocol address is .99 of the
 * host's /24, an address nobody holds. Rejects with the script's output when the host never answers ARP.
 */
export async function forgeHostIpClaim(pair: VethPair): Promise<void> {
  const target = pair.hostIp.replace(/\.\d+$/, ".99");
  await pair.exec([PYTHON, "-c", FORGER, pair.nsIf, pair.nsMac, pair.hostMac, pair.hostIp, target]);
}
