/* The ceiling: read every packet of the given capture files with libpcap and
 * touch nothing but the header. stagewatch's throughput is reported as a
 * fraction of this loop's on the same file. The file is read through a 1 MiB
 * stdio buffer, as stagewatch reads it (capture/packet_source.cpp), so the
 * ceiling is not lowered by 4 KiB read(2) calls. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char** argv) {
    unsigned long long packets = 0, bytes = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 1; i < argc; ++i) {
        char err[PCAP_ERRBUF_SIZE];
        static char buf[1 << 20];
        FILE* fp = fopen(argv[i], "rb");
        if (!fp) {
            perror(argv[i]);
            return 2;
        }
        setvbuf(fp, buf, _IOFBF, sizeof buf);
        pcap_t* p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
        if (!p) {
            fprintf(stderr, "pcap_read_loop: %s: %s\n", argv[i], err);
            fclose(fp);
            return 2;
        }
        struct pcap_pkthdr* h;
        const unsigned char* d;
        while (pcap_next_ex(p, &h, &d) == 1) {
            ++packets;
            bytes += h->len;
        }
        pcap_close(p);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("packets %llu bytes %llu seconds %.6f gbps %.3f\n", packets, bytes, s,
           s > 0 ? (double)bytes * 8 / s / 1e9 : 0.0);
    return 0;
}
