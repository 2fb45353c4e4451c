import topics from './topics.json';

/** Kafka topic names, as the original's (also read by infra/create-topics.mjs). */
export const Topics = topics;

/**
 * Where consumers park a message they cannot process (`<topic>.dlq`), so it does not hold the
 * messages behind it. infra/create-topics.mjs creates one beside every topic of topics.json.
 */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
