/** The Semel broker: TCP server, topics, group-committed produce, consumer groups. */
package io.semel.broker;
