package dev.cioforwarder.chaos;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The TCP sockets a process listens on, read from Linux's {@code /proc}: the socket inodes among
 * {@code /proc/<pid>/fd}, matched with the LISTEN entries of {@code /proc/net/tcp} and {@code
 * tcp6}. No tool needed ({@code ss} and {@code netstat} are not everywhere), and it sees every
 * port, including the random ones Flink opens (blob server, RPC, data, metric query services).
 */
final class ListeningSockets {

    /** One listening socket: who, the bound address as text, the port. */
    record Listener(String service, long pid, String address, int port) {
        /** Bound to the loopback interface only (127.0.0.0/8, ::1, ::ffff:127.x.x.x). */
        boolean loopbackOnly() {
            return address.startsWith("127.")
                    || address.equals("::1")
                    || address.startsWith("::ffff:127.");
        }

        @Override
        public String toString() {
            return service + " (pid " + pid + ") " + address + ":" + port;
        }
    }

    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    /** Every listening TCP socket of the given processes (service name → pid). */
    static List<Listener> of(Map<String, Long> pids) throws IOException {
        Map<Long, String[]> listening = new HashMap<>(); // inode → {address, port}
        readTable(Path.of("/proc/net/tcp"), false, listening);
        readTable(Path.of("/proc/net/tcp6"), true, listening);
        List<Listener> result = new ArrayList<>();
        for (Map.Entry<String, Long> process : pids.entrySet()) {
            for (long inode : socketInodes(process.getValue())) {
                String[] socket = listening.get(inode);
                if (socket != null) {
                    result.add(
                            new Listener(
                                    process.getKey(),
                                    process.getValue(),
                                    socket[0],
                                    Integer.parseInt(socket[1])));
                }
            }
        }
        return result;
    }

    private static Set<Long> socketInodes(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                }
            }
        }
        return inodes;
    }

    /**
     * Lines like {@code 0: 0100007F:1F90 00000000:0000 0A ... inode}: local address (hex, each
     * 32-bit word in host byte order, little-endian here), state, inode in column 10.
     */
    private static void readTable(Path table, boolean ipv6, Map<Long, String[]> into)
            throws IOException {
        if (!Files.exists(table)) {
            return;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[3].equals(LISTEN)) {
                continue;
            }
            String[] local = f[1].split(":");
            String address = ipv6 ? ipv6(local[0]) : ipv4(local[0]);
            into.put(
                    Long.parseLong(f[9]),
                    new String[] {address, Integer.toString(Integer.parseInt(local[1], 16))});
        }
    }

    static String ipv4(String hex) {
        long word = Long.parseLong(hex, 16);
        return (word & 0xff)
                + "."
                + (word >> 8 & 0xff)
                + "."
                + (word >> 16 & 0xff)
                + "."
                + (word >> 24 & 0xff);
    }

    static String ipv6(String hex) {
        int[] bytes = new int[16];
        for (int w = 0; w < 4; w++) {
            long word = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
            for (int b = 0; b < 4; b++) {
                bytes[w * 4 + b] = (int) (word >> (8 * b) & 0xff);
            }
        }
        boolean v4Mapped = true;
        for (int i = 0; i < 10; i++) {
            v4Mapped &= bytes[i] == 0;
        }
        v4Mapped &= bytes[10] == 0xff && bytes[11] == 0xff;
        if (v4Mapped) {
            return "::ffff:" + bytes[12] + "." + bytes[13] + "." + bytes[14] + "." + bytes[15];
        }
        boolean allZero = true;
        boolean loopback = true;
        for (int i = 0; i < 16; i++) {
            allZero &= bytes[i] == 0;
            loopback &= bytes[i] == (i == 15 ? 1 : 0);
        }
        if (allZero) {
            return "::";
        }
        if (loopback) {
            return "::1";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(bytes[i] << 8 | bytes[i + 1]));
        }
        return sb.toString();
    }
}
