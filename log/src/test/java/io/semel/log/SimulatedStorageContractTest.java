package io.semel.log;

class SimulatedStorageContractTest extends StorageContractTest {
    @Override
    protected Storage newStorage() {
        return new SimulatedStorage();
    }
}
