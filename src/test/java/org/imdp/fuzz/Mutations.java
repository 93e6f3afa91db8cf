package org.imdp.fuzz;

import java.util.ArrayList;
import java.util.List;

/** Byte-level damage to a valid message, shared by the codec properties. */
final class Mutations {

    private Mutations() {
    }

    /**
     * Each mutation picks a position and one of flip / insert / delete from its bits; an insert is half the time
     * one of {@code grammar}, the bytes that matter to the message's syntax, else any byte.
     */
    static byte[] mutate(byte[] data, List<Integer> mutations, String grammar) {
        List<Byte> bytes = new ArrayList<>(data.length + mutations.size());
        for (byte b : data) {
            bytes.add(b);
        }
        for (int m : mutations) {
            int at = bytes.isEmpty() ? 0 : (m >>> 3) % bytes.size();
            switch (m & 3) {
                case 0 -> {
                    if (!bytes.isEmpty()) {
                        bytes.set(at, (byte) (bytes.get(at) ^ (1 << ((m >>> 2) & 7))));
                    }
                }
                case 1 -> bytes.add(at, (byte) grammar.charAt((m >>> 2) % grammar.length()));
                case 2 -> bytes.add(at, (byte) (m >>> 5));
                default -> {
                    if (!bytes.isEmpty()) {
                        bytes.remove(at);
                    }
                }
            }
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return out;
    }
}
