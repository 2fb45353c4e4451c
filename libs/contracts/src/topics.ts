import topics from './topics.json';

/** Kafka topic names, as the original's (also read by infra/create-topics.mjs). */
export const Topics = topics;
export type Topic = (typeof Topics)[keyof typeof Topics];
export const ALL_TOPICS: Topic[] = Object.values(Topics);
