/** `<topic>.dlq`: where a function sends what it can never handle from `<topic>`. */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;
