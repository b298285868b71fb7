package io.semel.log;

class SimulatedPartitionLogTest extends PartitionLogContractTest {
    @Override
    protected Storage newStorage() {
        return new SimulatedStorage();
    }
}
