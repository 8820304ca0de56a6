from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from .services import looks_like_backup_code


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit number your app shows now, for example 123456.",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
    )

    def __init__(self, *args, submit_label: str = "Continue", allow_backup_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_backup_code = allow_backup_code
        if allow_backup_code:
            code = self.fields["code"]
            code.label = "Code from your authenticator app, or a backup code"
            code.help_text = "The 6-digit number your app shows now, or one of your backup codes (each works once)."
            code.widget.attrs["inputmode"] = "text"
            code.error_messages["required"] = "Enter the 6-digit code from your authenticator app, or a backup code."
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("code", field_width=10 if allow_backup_code else 5, label_size=Size.SMALL),
            Submit("submit", submit_label),
        )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if self.allow_backup_code and looks_like_backup_code(code):
            return code
        if self.allow_backup_code and not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(
                "Enter the 6 digits from your app, for example 123456, or a 16-character backup code."
            )
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("The code must be 6 digits, for example 123456.")
        return code
