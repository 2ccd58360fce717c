package dev.cioforwarder.job;

/** A Kafka record as the parser needs it: the value and where it came from. A Flink POJO. */
public class SourceRecord {
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;

    public SourceRecord() {}

    public SourceRecord(byte[] value, String topic, int partition, long offset, long timestamp) {
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }
}
