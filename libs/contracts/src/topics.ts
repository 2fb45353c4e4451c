import topics from './topics.json';

/** Kafka topic names, as the original's (also read by infra/create-topics.mjs). */
export const Topics = topics;
