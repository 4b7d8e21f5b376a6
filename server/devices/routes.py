from server.auth.schemas import Role
from server.auth.scope import device_reach
from server.crud_routes import registry_router
from server.devices.imports import import_devices
from server.devices.repository import devices
from server.devices.schemas import Device, DeviceIn, DevicePatch
from server.devices.service import create_device, update_device
from server.import_routes import import_route

router = registry_router(
    path="/api/v1/devices",
    tag="devices",
    registry=devices,
    types=(DeviceIn, DevicePatch, Device),
    create=create_device,
    update=update_device,
    read_roles=(Role.ADMIN, Role.DISPATCHER),
    extra=[import_route(import_devices, "devices")],
    reach=device_reach,
    secret_fields=frozenset({"key"}),  # audited as device.key_change, never the key
)
