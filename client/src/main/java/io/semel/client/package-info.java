/** The Semel client: Producer and Consumer over the wire protocol. */
package io.semel.client;
