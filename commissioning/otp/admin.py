"""django-otp's admin for authenticator devices, answering 404 (not 500) for a device that does not exist.

django-otp's own config and QR code pages look the device up with ``.get()`` and let ``DoesNotExist``
escape as a server error; they also look it up before checking the right to see devices at all, so staff
without that right could tell existing devices from missing ones. Here the right is checked first (403
whichever device is asked for), then a missing device is a 404.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OtpTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


class TOTPDeviceAdmin(OtpTOTPDeviceAdmin):
    def _device_page(self, view, request, pk):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            return view(request, pk)
        except TOTPDevice.DoesNotExist:
            raise Http404("No such authenticator device.") from None

    def config_view(self, request, pk):
        return self._device_page(super().config_view, request, pk)

    def qrcode_view(self, request, pk):
        return self._device_page(super().qrcode_view, request, pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
