package io.zktenantproxy.proxy.flink;

import java.util.List;

/**
 * A Curator {@code LeaderLatch} as found in ZooKeeper: its participants are ephemeral sequential znodes
 * {@code [_c_<uuid>-]latch-<10 digits>}, and the one with the lowest sequence leads ({@code LeaderLatch
 * .checkLeadership}). Flink 1.15 and later run one latch per cluster ({@code leader/latch}) for all components; 1.12
 * to 1.14 one per component ({@code leaderlatch/<component>_lock}).
 *
 * @param path          the latch's tenant path, e.g. {@code /flink/default/leader/latch}
 * @param contenders    participants, i.e. JobManagers in the election (0: nobody leads)
 * @param holder        the leading participant's znode name; null when there is none
 * @param holderSession the leader's ZooKeeper session id, {@code 0x...}; null when there is none
 * @param holderCtime   when the leader's participant znode was created, milliseconds since the epoch; it joined the
 *                      election then, so it leads at the earliest since then; null when there is none
 * @param sessions      the session ids of all participants, {@code 0x...}, in latch order
 */
public record Latch(String path, int contenders, String holder, String holderSession, Long holderCtime,
                    List<String> sessions) {
}
