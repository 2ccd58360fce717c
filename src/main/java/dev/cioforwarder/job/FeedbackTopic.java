package dev.cioforwarder.job;

import dev.cioforwarder.settings.ForwarderSettings;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feedback topic is the job's own (like Kafka Streams' internal topics): created at submission
 * when it is missing, with as many partitions as the first input topic, so that an operator who
 * never heard of it does not have to. On a cluster where the job may not create topics, create it
 * beforehand (see the README).
 */
final class FeedbackTopic {
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackTopic.class);

    private FeedbackTopic() {}

    static void ensureExists(ForwarderSettings settings) throws Exception {
        Properties properties = ForwarderEnds.sourceProperties(settings);
        properties.setProperty(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        String topic = settings.feedbackTopic();
        try (Admin admin = Admin.create(properties)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            if (existing.contains(topic)) {
                return;
            }
            String input = settings.topics().get(0);
            int partitions =
                    admin.describeTopics(List.of(input))
                            .allTopicNames()
                            .get(60, TimeUnit.SECONDS)
                            .get(input)
                            .partitions()
                            .size();
            try {
                admin.createTopics(
                                List.of(
                                        new NewTopic(
                                                topic, Optional.of(partitions), Optional.empty())))
                        .all()
                        .get(60, TimeUnit.SECONDS);
                LOG.info("Created the feedback topic {} ({} partitions)", topic, partitions);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "The feedback topic "
                                    + topic
                                    + " (delivery.feedback-topic) does not exist and could not be"
                                    + " created ("
                                    + e.getCause()
                                    + "); create it with as many partitions as the input topic",
                            e);
                }
            }
        }
    }
}
