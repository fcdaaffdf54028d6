import assert from "node:assert/strict";
import { shutdownTcpSocket, tcpSocketInode } from "./socket_shutdown.ts";

/** The inode `ss` reports for the socket from `local` to `remote` (an independent reading of /proc). */
async function ssInode(local: Deno.NetAddr, remote: Deno.NetAddr): Promise<string | undefined> {
  const host = (a: Deno.NetAddr) => a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
  const out = await new Deno.Command("ss", {
    args: [
      "-tnHe",
      "state",
      "established",
      `src ${host(local)}:${local.port} and dst ${host(remote)}:${remote.port}`,
    ],
    stdout: "piped",
  }).output();
  return /\bino:(\d+)/.exec(new TextDecoder().decode(out.stdout))?.[1];
}

for (const hostname of ["127.0.0.1", "::1"]) {
  Deno.test(`shutdownTcpSocket() finds this process's socket over ${hostname} and the peer reads end-of-file`, async () => {
    const listener = Deno.listen({ hostname, port: 0 });
    const client = await Deno.connect({ hostname, port: (listener.addr as Deno.NetAddr).port });
    const server = await listener.accept();
    try {
      const local = server.localAddr as Deno.NetAddr, remote = server.remoteAddr as Deno.NetAddr;
      const inode = tcpSocketInode(local, remote);
      assert.ok(inode, "found in /proc/self/net");
      assert.equal(inode, await ssInode(local, remote));
      assert.equal(shutdownTcpSocket(local, remote), true);
      assert.equal(await client.read(new Uint8Array(16)), null, "the peer sees the connection end");
      assert.equal(
        shutdownTcpSocket({ ...remote, port: 1, transport: "tcp" }, local),
        false,
        "no such socket",
      );
    } finally {
      server.close();
      client.close();
      listener.close();
    }
  });
}
